# Makefile: lets plain `bmake` work here (Debian's bmake does not read BSDmakefile).
.include "${.CURDIR}/BSDmakefile"
