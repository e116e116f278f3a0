# prog.mk: a host program (PROG, SRCS), static against musl, into build/bin.
.include "init.mk"

CC=	${MUSL_CC}
CFLAGS=	-std=gnu11 -D_GNU_SOURCE -O2 -g ${WARNS} -I${TOP}/include -I${.CURDIR} -isystem ${KINC}
OBJS=	${SRCS:R:S,^,${O}/,:S,$,.o,}

all: ${BIN}/${PROG}

${BIN}/${PROG}: ${OBJS} ${DPADD}
	@mkdir -p ${.TARGET:H}
	${CC} -static -o ${.TARGET} ${OBJS} ${LDADD}

.for s in ${SRCS}
${O}/${s:R}.o: ${.CURDIR}/${s} ${HDRS}
	@mkdir -p ${.TARGET:H}
	${CC} ${CFLAGS} -c -o ${.TARGET} ${.CURDIR}/${s}
.endfor

clean:
	rm -rf ${O} ${BIN}/${PROG}
