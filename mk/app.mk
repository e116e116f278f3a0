# app.mk: guest apps linked with guestlib: each of APPS from APP.c (plus
# SRCS.APP) into build/<dir>/APP.bin.
.include "guest.mk"

CFLAGS=	${GUEST_CFLAGS}
GUESTDEPS=	${GUESTLIB}/start.o ${GUESTLIB}/libguest.a ${TOP}/guestlib/app.ld

all: ${APPS:S,^,${O}/,:S,$,.bin,}

.for a in ${APPS}
${O}/${a}.bin: ${${a}.c ${SRCS.${a}}:L:R:S,^,${O}/,:S,$,.o,} ${GUESTDEPS}
	${CC} ${GUEST_LDFLAGS} -o ${.TARGET} ${GUESTLIB}/start.o \
	    ${.ALLSRC:M*.o:N*/start.o} ${GUESTLIB}/libguest.a -lgcc
.endfor

.for s in ${APPS:S,$,.c,} ${APPS:@a@${SRCS.${a}}@:O:u}
${O}/${s:R}.o: ${.CURDIR}/${s} ${HDRS} ${TOP}/guestlib/include/svm.h
	@mkdir -p ${.TARGET:H}
	${CC} ${CFLAGS} -c -o ${.TARGET} ${.CURDIR}/${s}
.endfor

clean:
	rm -rf ${O}
