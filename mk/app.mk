# app.mk: programs for svm-sandbox, static musl like any Linux program: each
# of APPS from APP.c (plus SRCS.APP) into build/<dir>/APP, with the SDK.
.include "init.mk"

CC=	${MUSL_CC}
# Objects apart, so build/<dir>/ holds only the programs.
OBJ=	${TOP}/build/obj/${REL}
SDK=	${TOP}/build/sdk/libsvm.a
CFLAGS=	-std=gnu11 -O2 -g ${WARNS} -I${TOP}/sdk -I${TOP}/include ${APP_CFLAGS}

all: ${APPS:S,^,${O}/,}

.for a in ${APPS}
${O}/${a}: ${${a}.c ${SRCS.${a}}:L:R:S,^,${OBJ}/,:S,$,.o,} ${SDK}
	@mkdir -p ${.TARGET:H}
	${CC} -static -o ${.TARGET} ${.ALLSRC:M*.o} ${SDK}
.endfor

.for s in ${APPS:S,$,.c,} ${APPS:@a@${SRCS.${a}}@:O:u}
${OBJ}/${s:R}.o: ${.CURDIR}/${s} ${HDRS} ${TOP}/sdk/svm.h
	@mkdir -p ${.TARGET:H}
	${CC} ${CFLAGS} -c -o ${.TARGET} ${.CURDIR}/${s}
.endfor

clean:
	rm -rf ${O} ${OBJ}
