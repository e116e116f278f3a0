# subdir.mk: run the same target in each of SUBDIR, in order.
.MAIN: all
.for t in all clean
${t}:
.for d in ${SUBDIR}
	@${MAKE} -C ${.CURDIR}/${d} ${t}
.endfor
.endfor
