# init.mk: paths, configuration and flags that every makefile of the tree shares.
TOP:=	${.PARSEDIR:tA:H}
REL:=	${.CURDIR:S,^${TOP},,:S,^/,,}
O:=	${TOP}/build/${REL}
BIN:=	${TOP}/build/bin

.if !exists(${TOP}/build/config.mk)
.error build/config.mk is missing: run ./configure first
.endif
.include "${TOP}/build/config.mk"

WARNS=	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
# Every object depends on its folder's headers and the shared ABI header.
HDRS:=	${:!ls ${.CURDIR}/*.h 2>/dev/null || true!} ${TOP}/include/svm_abi.h

.MAIN: all
