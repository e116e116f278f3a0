# guest.mk: compiler and linker flags for code that runs inside the guest.
.include "init.mk"

GUESTLIB=	${TOP}/build/guestlib
CC=	${GUEST_CC}
GCCINC!=	${GUEST_CC} -print-file-name=include
# Freestanding, no PIC, no unwind tables: the monitor loads one static image.
GUEST_CFLAGS=	-std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem ${GCCINC} \
	-I${TOP}/guestlib/include -I${TOP}/include -fno-stack-protector \
	-fno-pic -fno-pie -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fcf-protection=none ${WARNS}
GUEST_LDFLAGS=	-static -nostdlib -no-pie -Wl,-T,${TOP}/guestlib/app.ld \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,max-page-size=4096
