#!/usr/bin/env python3
# gen.py: writes the malformed-app corpus (tests/corpus/elf/) and expected.txt from one small valid ELF.
"""
Every file is the same tiny valid app with one thing broken, so each refusal
shows the loader checks that one thing. The valid app itself (ok.bin) and two
boundary variants (ok-top.bin, ok-8segs.bin) run and exit with EXIT_STATUS, to
show the generator's base file is really loadable: otherwise every refusal
could be for some other, accidental reason.

Deterministic and stdlib-only: rerunning it must reproduce the committed
files byte for byte. Lines for fuzz-*.bin (crash inputs found by
tests/fuzz, committed by hand) are kept as they are.
"""
import os
import re
import struct
import sys
from types import SimpleNamespace

# Layout constants of the ABI (include/svm_abi.h) the expectations rely on.
PAGE = 0x1000
# SVM_PROGRAM_MIN: a program's lowest address; the guest kernel lives below.
LOAD_MIN = 0x200000
PIE_BASE = 0x400000  # SVM_PIE_BASE: where a static-PIE's lowest page goes
MEM = 32 << 20  # the CLI default; run.sh never passes --mem


def stack_size(mem):
    """svm_stack_size()."""
    if mem >= 64 << 20:
        return 8 << 20
    return max(mem // 8 & ~(PAGE - 1), 0x40000)


LIMIT = MEM - stack_size(MEM) - PAGE  # programs may use [LOAD_MIN, LIMIT)
HC_PORT_EXIT = 0x500 + 3

EXIT_STATUS = 42  # not 0: a status 0 could come from something else

# ELF constants (from the ELF64 and x86-64 psABI specifications).
ET_NONE, ET_REL, ET_EXEC, ET_DYN, ET_CORE = 0, 1, 2, 3, 4
EM_386, EM_X86_64, EM_AARCH64 = 3, 62, 183
PT_NULL, PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 0, 1, 2, 3, 4
PT_SHLIB, PT_PHDR, PT_TLS = 5, 6, 7
PT_GNU_EH_FRAME, PT_GNU_STACK, PT_GNU_RELRO = 0x6474E550, 0x6474E551, 0x6474E552
PT_GNU_PROPERTY = 0x6474E553
PF_X, PF_W, PF_R = 1, 2, 4
DT_NULL, DT_NEEDED, DT_STRTAB, DT_SONAME = 0, 1, 5, 14
EHDR_SIZE, PHDR_SIZE = 64, 56

# File layout of the base app: header, room for up to 10 program headers,
# the code, then the exit struct. The text segment covers the headers too,
# as ld lays out small static files; the data segment starts at the same
# offset within its page as in the file, so the file would be mmap-able.
PHOFF = EHDR_SIZE
CODE_OFF = 0x280
DYN_OFF = 0x2A0  # room for a small dynamic section ...
STR_OFF = 0x2D0  # ... and its string table, inside the text segment
DATA_OFF = 0x300
TEXT_VADDR = LOAD_MIN
DATA_VADDR = LOAD_MIN + PAGE + DATA_OFF  # 0x101300: the next page
ENTRY = TEXT_VADDR + CODE_OFF


def code(exit_struct):
    """mov $exit_struct,%eax; mov $0x503,%dx; out %eax,(%dx); ud2.

    The port does not fit `out imm8`, hence %dx. ud2 after the exit
    hypercall: if exit ever returned, the run ends with a fault (250), not
    with a silent fall into the zero bytes after the code.
    """
    return (b"\xb8" + struct.pack("<I", exit_struct) +
            b"\x66\xba" + struct.pack("<H", HC_PORT_EXIT) +
            b"\xef" + b"\x0f\x0b")


def store_code(exit_struct, status):
    """movl $status,exit_struct, then code(exit_struct): the app writes
    its own exit status, so it exits with it only if its data page is
    writable."""
    return (b"\xc7\x04\x25" + struct.pack("<Ii", exit_struct, status) +
            code(exit_struct))


CODE = code(DATA_VADDR)
TEXT_SIZE = CODE_OFF + len(CODE)
assert CODE_OFF + len(store_code(0, 0)) <= DYN_OFF


def ph(p_type, flags=0, offset=0, vaddr=0, filesz=0, memsz=0, align=0):
    return SimpleNamespace(type=p_type, flags=flags, offset=offset,
                           vaddr=vaddr, filesz=filesz, memsz=memsz,
                           align=align)


def text_ph():
    return ph(PT_LOAD, PF_R | PF_X, 0, TEXT_VADDR, TEXT_SIZE, TEXT_SIZE, PAGE)


def data_ph():
    # 8 bytes of struct svm_hc_exit in the file, a little .bss after it.
    return ph(PT_LOAD, PF_R | PF_W, DATA_OFF, DATA_VADDR, 8, 0x20, PAGE)


def stack_ph():
    return ph(PT_GNU_STACK, PF_R | PF_W, align=0x10)


class App:
    """The base app; cases change fields, then bytes() lays the file out."""

    def __init__(self):
        self.magic = b"\x7fELF"
        self.ei_class, self.ei_data, self.ei_version = 2, 1, 1
        self.e_type, self.e_machine, self.e_version = ET_EXEC, EM_X86_64, 1
        self.e_entry = ENTRY
        self.e_phoff = PHOFF
        self.e_ehsize, self.e_phentsize = EHDR_SIZE, PHDR_SIZE
        self.e_phnum = None  # None: the number of program headers
        self.phdrs = [text_ph(), data_ph(), stack_ph()]
        self.code = CODE
        self.status = EXIT_STATUS  # the exit struct's status in the file
        self.endian = "<"
        self.extra = {}  # file offset -> bytes placed there
        self.size = DATA_OFF + 8
        self.cut = None  # keep only the first cut bytes

    def bytes(self):
        e = self.endian
        out = bytearray(self.size)
        ident = (self.magic +
                 bytes([self.ei_class, self.ei_data, self.ei_version]) +
                 bytes(9))
        phnum = len(self.phdrs) if self.e_phnum is None else self.e_phnum
        # No section headers: the loader never reads them.
        out[0:EHDR_SIZE] = struct.pack(
            e + "16sHHIQQQIHHHHHH", ident, self.e_type, self.e_machine,
            self.e_version, self.e_entry, self.e_phoff, 0, 0, self.e_ehsize,
            self.e_phentsize, phnum, 64, 0, 0)
        # The table always sits at PHOFF, whatever e_phoff claims.
        assert PHOFF + len(self.phdrs) * PHDR_SIZE <= CODE_OFF
        for i, p in enumerate(self.phdrs):
            off = PHOFF + i * PHDR_SIZE
            out[off:off + PHDR_SIZE] = struct.pack(
                e + "IIQQQQQQ", p.type, p.flags, p.offset, p.vaddr, p.vaddr,
                p.filesz, p.memsz, p.align)
        out[CODE_OFF:CODE_OFF + len(self.code)] = self.code
        out[DATA_OFF:DATA_OFF + 8] = struct.pack(e + "iI", self.status, 0)
        for off, blob in self.extra.items():
            out[off:off + len(blob)] = blob
        if self.cut is not None:
            out = out[:self.cut]
        return bytes(out)


def elf32_i386():
    """A genuine 32-bit i386 executable, laid out as ELF32 (not a patched
    ELF64), so the class check is what refuses it, not a size check."""
    phoff, code_off = 52, 0x100
    body = b"\xb8\x00\x00\x00\x00\xcd\x80"  # mov $0,%eax; int $0x80
    ehdr = struct.pack("<16sHHIIIIIHHHHHH",
                       b"\x7fELF\x01\x01\x01" + bytes(9), ET_EXEC, EM_386, 1,
                       LOAD_MIN + code_off, phoff, 0, 0, 52, 32, 1, 40, 0, 0)
    phdr = struct.pack("<IIIIIIII", PT_LOAD, 0, LOAD_MIN, LOAD_MIN,
                       code_off + len(body), code_off + len(body),
                       PF_R | PF_X, PAGE)
    out = bytearray(code_off + len(body))
    out[0:52] = ehdr
    out[phoff:phoff + 32] = phdr
    out[code_off:] = body
    return bytes(out)


def hx(v):
    """What printf's %#llx prints: no 0x prefix for zero."""
    return "0" if v == 0 else "%#x" % v


def lit(s):
    """s as a POSIX extended regex matching exactly s."""
    return re.sub(r"([\\.\[\](){}*+?|^$])", r"\\\1", s)


STATIC_ONLY = ": svm-sandbox runs static executables"


def does_not_fit(i, vaddr, memsz):
    return lit("segment %d: %s+%s does not fit in guest memory (programs may "
               "use up to %s with --mem %dM)" % (i, hx(vaddr), hx(memsz),
                                                hx(LIMIT), MEM >> 20))


def below_min(i, vaddr):
    return lit("segment %d: address %s below %s, where the guest kernel lives"
               % (i, hx(vaddr), hx(LOAD_MIN)))


def bad_entry(entry):
    return lit("entry point %s is not in an executable segment" % hx(entry))


def phdrs_outside(off):
    return lit("program headers outside the file (offset %s)" % hx(off))


def overlap(a, b):
    return lit("segments %s and %s overlap" % (a, b))


def share_wx(a, b):
    return lit("segments %s and %s share a page that would be writable and "
               "executable" % (a, b))


CASES = []  # (file name, exit status, stderr reason regex or None, bytes)


def case(name, status, reason):
    """Decorator: the function returns an App (or raw bytes) for name."""
    def add(fn):
        CASES.append((name, status, reason, fn))
        return fn
    return add


def app(**fields):
    return app_(App(), **fields)


def app_(a, **fields):
    """a with header fields changed."""
    for k, v in fields.items():
        setattr(a, k, v)
    return a


def setattr_(a, i, **fields):
    """a with fields of program header i changed."""
    for k, v in fields.items():
        setattr(a.phdrs[i], k, v)
    return a


def with_ph(i, **fields):
    """The base app with fields of program header i changed."""
    a = App()
    for k, v in fields.items():
        setattr(a.phdrs[i], k, v)
    return a


def pie(link=0):
    """The base app as a static-PIE linked at link: ET_DYN, a PT_DYNAMIC
    holding only DT_NULL, and code that uses the addresses the loader
    gives it (its lowest page at PIE_BASE), as a self-relocated program
    would."""
    a = App()
    a.e_type = ET_DYN
    a.phdrs[0].vaddr = link
    a.phdrs[1].vaddr = link + PAGE + DATA_OFF
    a.e_entry = link + CODE_OFF
    a.code = code(PIE_BASE + PAGE + DATA_OFF)
    a.phdrs[0].filesz = a.phdrs[0].memsz = DATA_OFF
    a.phdrs.append(ph(PT_DYNAMIC, PF_R | PF_W, DYN_OFF, link + DYN_OFF,
                      16, 16, 8))
    return a


def dynamic(a, entries, strings=b""):
    """Put a dynamic section (tag, value pairs, then DT_NULL) and its string
    table into a's text segment; returns the PT_DYNAMIC header."""
    blob = b"".join(struct.pack("<qQ", t, v) for t, v in entries)
    blob += bytes(16)
    assert DYN_OFF + len(blob) <= STR_OFF
    assert STR_OFF + len(strings) <= DATA_OFF
    a.extra[DYN_OFF] = blob
    a.extra[STR_OFF] = strings
    a.phdrs[0].filesz = a.phdrs[0].memsz = DATA_OFF
    d = ph(PT_DYNAMIC, PF_R | PF_W, DYN_OFF, a.phdrs[0].vaddr + DYN_OFF,
           len(blob), len(blob), 8)
    a.phdrs.append(d)
    return d


def interp(a, path):
    """A PT_INTERP naming path, first, as ld puts it."""
    off = CODE_OFF - 0x40
    a.extra[off] = path
    a.phdrs.insert(0, ph(PT_INTERP, PF_R, off, a.phdrs[0].vaddr + off,
                         len(path), len(path), 1))
    return a


LD_SO = b"/lib64/ld-linux-x86-64.so.2\0"


# --- valid files: they must run and exit with EXIT_STATUS ------------------

case("ok.bin", EXIT_STATUS, None)(App)


@case("ok-top.bin", EXIT_STATUS, None)
def _():
    # .bss up to the last byte the loader allows (the limit is exclusive)
    # less the one page the default root tree (/dev, /proc/self/exe) takes
    # right above the program.
    return with_ph(1, memsz=LIMIT - PAGE - DATA_VADDR)


@case("ok-8segs.bin", EXIT_STATUS, None)
def _():
    # Exactly ELF_MAX_SEGS loadable segments, plus an empty PT_LOAD (not
    # counted) and p_align 0 and 1, which the ELF spec allows.
    a = App()
    for k in range(6):
        a.phdrs.append(ph(PT_LOAD, PF_R, 0, LOAD_MIN + (2 + k) * PAGE,
                          0, 0x10, [0, 1, PAGE, PAGE, PAGE, PAGE][k]))
    a.phdrs.append(ph(PT_LOAD, PF_R, 0, LOAD_MIN + 9 * PAGE, 0, 0, PAGE))
    return a


case("ok-pie.bin", EXIT_STATUS, None)(pie)
# Linked at 0x200000: the lowest page still goes to PIE_BASE.
case("ok-pie-linked-high.bin", EXIT_STATUS, None)(lambda: pie(0x200000))


@case("ok-share-page.bin", EXIT_STATUS, None)
def _():
    # As ld -n lays files out: a read-only segment shares the text's page
    # (rights R+X) and another one the data's (R+W), listed before the data
    # so that its rights alone would make the data read-only. The app
    # writes its exit status into the data page: it exits with it only if
    # the page has the rights of both of its segments.
    a = App()
    a.status = 7
    a.code = store_code(DATA_VADDR, EXIT_STATUS)
    a.phdrs[0].filesz = a.phdrs[0].memsz = CODE_OFF + len(a.code)
    a.phdrs.insert(1, ph(PT_LOAD, PF_R, 0, TEXT_VADDR + 0x800, 0, 0x100,
                         PAGE))
    a.phdrs.insert(2, ph(PT_LOAD, PF_R, 0, LOAD_MIN + PAGE, 0, 0x100, PAGE))
    return a


@case("ok-tls.bin", EXIT_STATUS, None)
def _():
    a = App()
    a.phdrs.append(ph(PT_TLS, PF_R, DATA_OFF, DATA_VADDR, 8, 0x10, 8))
    return a


# The sandbox's stack is never executable, whatever the file asks.
case("ok-stack-x.bin", EXIT_STATUS, None)(
    lambda: with_ph(2, flags=PF_R | PF_W | PF_X))


@case("ok-notes.bin", EXIT_STATUS, None)
def _():
    # What linkers add to static executables, none of which is loaded.
    a = App()
    a.phdrs[2:2] = [
        ph(PT_PHDR, PF_R, PHOFF, TEXT_VADDR + PHOFF, 10 * PHDR_SIZE,
           10 * PHDR_SIZE, 8),
        ph(PT_NOTE, PF_R, CODE_OFF, TEXT_VADDR + CODE_OFF, 4, 4, 4),
        ph(PT_GNU_PROPERTY, PF_R, CODE_OFF, TEXT_VADDR + CODE_OFF, 4, 4, 8),
        ph(PT_GNU_EH_FRAME, PF_R, CODE_OFF, TEXT_VADDR + CODE_OFF, 4, 4, 4),
        ph(PT_GNU_RELRO, PF_R, DATA_OFF, DATA_VADDR, 8, 8, 1),
        ph(PT_NULL),
    ]
    a.phdrs.append(ph(PT_DYNAMIC, PF_R | PF_W, DYN_OFF, TEXT_VADDR + DYN_OFF,
                      16, 16, 8))
    return a


@case("ok-unknown-types.bin", EXIT_STATUS, None)
def _():
    # Ignored as Linux ignores them, with nonsense in every other field.
    a = App()
    for t in (PT_SHLIB, 0x60000000, 0x6FFFFFFF, 0x70000000, 0x7FFFFFFF,
              0xFFFFFFFF):
        a.phdrs.append(ph(t, 0xFFFFFFFF, 2**64 - 1, 2**64 - 1, 2**64 - 1,
                          1, 3))
    return a


# --- the ELF header ---------------------------------------------------------

case("empty.bin", 1, lit("empty file"))(lambda: b"")
case("short-1.bin", 1,
     lit("file too short for an ELF header (1 bytes)"))(lambda: b"\x7f")
case("short-header.bin", 1,
     lit("file too short for an ELF header (63 bytes)"))(
    lambda: App().bytes()[:63])
case("bad-magic.bin", 1, lit("not an ELF file (bad magic)"))(
    lambda: app(magic=b"\x7fELG"))
case("script.bin", 1, lit("not an ELF file (bad magic)"))(
    lambda: b"#!/bin/sh\n# A shell script: executable, but not an app for "
            b"svm-sandbox.\nexit 0\n")
case("class32.bin", 1, lit("32-bit ELF (ELFCLASS32): svm-sandbox runs 64-bit "
                           "x86-64 static executables"))(elf32_i386)
case("class-none.bin", 1, lit("not a 64-bit ELF file (class 0)"))(
    lambda: app(ei_class=0))
case("big-endian.bin", 1, lit("not a little-endian ELF file"))(
    lambda: app(ei_data=2, endian=">"))
case("data-none.bin", 1, lit("not a little-endian ELF file"))(
    lambda: app(ei_data=0))
case("version-0.bin", 1, lit("unknown ELF version 0"))(
    lambda: app(e_version=0))
case("version-2.bin", 1, lit("unknown ELF version 2"))(
    lambda: app(e_version=2))
# e_ident[EI_VERSION] is wrong but e_version is fine: any version in the
# message is accepted (the loader prints e_version here, i.e. "1").
case("ident-version-0.bin", 1, "unknown ELF version [0-9]+")(
    lambda: app(ei_version=0))
case("machine-i386.bin", 1, lit("not an x86-64 ELF file (machine 3)"))(
    lambda: app(e_machine=EM_386))
case("machine-aarch64.bin", 1, lit("not an x86-64 ELF file (machine 183)"))(
    lambda: app(e_machine=EM_AARCH64))
OBJECT = lit("object file (ET_REL), not linked into an executable" +
             STATIC_ONLY)
case("type-rel.bin", 1, OBJECT)(lambda: app(e_type=ET_REL))
# As cc -c makes them: no program headers at all.
case("object.bin", 1, OBJECT)(
    lambda: app(e_type=ET_REL, e_phoff=0, e_phentsize=0, e_phnum=0))
case("type-core.bin", 1, lit("core file (ET_CORE)" + STATIC_ONLY))(
    lambda: app(e_type=ET_CORE))
case("type-none.bin", 1, lit("not an executable (ELF type 0)" + STATIC_ONLY))(
    lambda: app(e_type=ET_NONE))
case("type-os.bin", 1,
     lit("not an executable (ELF type 65024)" + STATIC_ONLY))(
    lambda: app(e_type=0xFE00))
case("ehsize-52.bin", 1, lit("bad ELF header size 52"))(
    lambda: app(e_ehsize=52))
case("ehsize-128.bin", 1, lit("bad ELF header size 128"))(
    lambda: app(e_ehsize=128))
case("phentsize-32.bin", 1, lit("bad program header size 32"))(
    lambda: app(e_phentsize=32))
case("phentsize-64.bin", 1, lit("bad program header size 64"))(
    lambda: app(e_phentsize=64))
case("phnum-0.bin", 1, lit("bad program header count 0"))(
    lambda: app(e_phnum=0))
# 0xffff is PN_XNUM: the real count would be in a section header.
case("phnum-ffff.bin", 1, lit("bad program header count 65535"))(
    lambda: app(e_phnum=0xFFFF))
case("phnum-past-end.bin", 1, phdrs_outside(PHOFF))(
    lambda: app(e_phnum=20))
case("phoff-past-end.bin", 1, phdrs_outside(0x10000))(
    lambda: app(e_phoff=0x10000))
# One byte short: the table's last byte would be just past the end.
case("phoff-at-end.bin", 1, phdrs_outside(DATA_OFF + 8 - 3 * PHDR_SIZE + 1))(
    lambda: app(e_phoff=DATA_OFF + 8 - 3 * PHDR_SIZE + 1))
# e_phoff + table size wraps around 2^64 to a small number.
case("phoff-wrap.bin", 1, phdrs_outside(2**64 - 0x40))(
    lambda: app(e_phoff=2**64 - 0x40))
case("header-only.bin", 1, phdrs_outside(PHOFF))(
    lambda: App().bytes()[:EHDR_SIZE])
case("phdrs-cut.bin", 1, phdrs_outside(PHOFF))(
    lambda: app(cut=PHOFF + 2 * PHDR_SIZE + 20))

# --- program headers --------------------------------------------------------

case("text-cut.bin", 1, lit("segment 0: data outside the file"))(
    lambda: app(cut=CODE_OFF + 4))
case("data-cut.bin", 1, lit("segment 1: data outside the file"))(
    lambda: app(cut=DATA_OFF + 4))
case("offset-past-end.bin", 1, lit("segment 1: data outside the file"))(
    lambda: with_ph(1, offset=0x10000))
# p_offset + p_filesz wraps around 2^64 to a small number.
case("offset-wrap.bin", 1, lit("segment 1: data outside the file"))(
    lambda: with_ph(1, offset=2**64 - 4))
case("filesz-gt-memsz.bin", 1,
     lit("segment 1: file size 0x8 > memory size 0x4"))(
    lambda: with_ph(1, memsz=4))


def text_at(vaddr):
    """The text segment moved to vaddr, the entry point with it."""
    a = with_ph(0, vaddr=vaddr)
    a.e_entry = vaddr + CODE_OFF
    return a


for _v in (0, 0x1000, 0x9000, 0xFFFFF):
    case("vaddr-%x.bin" % _v, 1, below_min(0, _v))(
        lambda v=_v: text_at(v))
# Straddles the boundary: starts one byte below LOAD_MIN.
case("data-vaddr-fffff.bin", 1, below_min(1, 0xFFFFF))(
    lambda: with_ph(1, vaddr=0xFFFFF))
case("overlap.bin", 1, overlap(0, 1))(
    lambda: with_ph(1, vaddr=TEXT_VADDR + 0x200))


@case("overlap-after-stack.bin", 1, "segments (0 and 1|1 and 2) overlap")
def _():
    # The same overlap with PT_GNU_STACK first: program headers 1 and 2 are
    # loadable segments 0 and 1, and either numbering is accepted.
    a = with_ph(1, vaddr=TEXT_VADDR + 0x200)
    a.phdrs = [a.phdrs[2], a.phdrs[0], a.phdrs[1]]
    return a


# Disjoint bytes, one page: the text's and the data's rights together.
case("share-page.bin", 1, share_wx(0, 1))(
    lambda: with_ph(1, vaddr=TEXT_VADDR + 0x800))


@case("share-page-bss.bin", 1, overlap(1, 2))
def _():
    # The data segment's .bss runs one byte into the next segment.
    a = with_ph(1, memsz=LOAD_MIN + 2 * PAGE + 1 - DATA_VADDR)
    a.phdrs.insert(2, ph(PT_LOAD, PF_R, 0, LOAD_MIN + 2 * PAGE, 0, 0x10,
                         PAGE))
    return a


@case("share-page-x.bin", 1, share_wx(1, 2))
def _():
    # Executable code after the data, in the data's page.
    a = App()
    a.phdrs.insert(2, ph(PT_LOAD, PF_R | PF_X, 0, DATA_VADDR + 0x100, 0,
                         0x10, PAGE))
    return a


case("past-mem.bin", 1, does_not_fit(1, DATA_VADDR, LIMIT + 1 - DATA_VADDR))(
    lambda: with_ph(1, memsz=LIMIT + 1 - DATA_VADDR))
case("in-stack.bin", 1, does_not_fit(1, MEM - PAGE, 0x20))(
    lambda: with_ph(1, vaddr=MEM - PAGE))
case("past-mem-1g.bin", 1, does_not_fit(1, 1 << 30, 0x20))(
    lambda: with_ph(1, vaddr=1 << 30))
case("huge-memsz.bin", 1, does_not_fit(1, DATA_VADDR, 1 << 40))(
    lambda: with_ph(1, memsz=1 << 40))
# p_vaddr + p_memsz wraps around 2^64, once from a huge address and once
# from a huge size that would wrap to an end below the limit.
case("wrap-vaddr.bin", 1, does_not_fit(1, 2**64 - PAGE, 2 * PAGE))(
    lambda: with_ph(1, vaddr=2**64 - PAGE, memsz=2 * PAGE))
case("wrap-memsz.bin", 1, does_not_fit(1, DATA_VADDR, 2**64 - PAGE))(
    lambda: with_ph(1, memsz=2**64 - PAGE))
case("align-3.bin", 1, lit("segment 1: alignment 0x3 is not a power of two"))(
    lambda: with_ph(1, align=3))
case("align-1001.bin", 1,
     lit("segment 1: alignment 0x1001 is not a power of two"))(
    lambda: with_ph(1, align=0x1001))
case("align-max.bin", 1,
     lit("segment 1: alignment 0xffffffffffffffff is not a power of two"))(
    lambda: with_ph(1, align=2**64 - 1))
case("wx-data.bin", 1, lit("segment 1: both writable and executable"))(
    lambda: with_ph(1, flags=PF_R | PF_W | PF_X))
case("wx-text.bin", 1, lit("segment 0: both writable and executable"))(
    lambda: with_ph(0, flags=PF_R | PF_W | PF_X))

# --- static-PIE -------------------------------------------------------------

# Every address of a PIE is moved; messages show where it would go.
case("pie-past-mem.bin", 1,
     does_not_fit(1, PIE_BASE + PAGE + DATA_OFF, LIMIT))(
    lambda: setattr_(pie(), 1, memsz=LIMIT))


@case("pie-wrap.bin", 1, lit("segment 3: address 0xfffffffffffff000 does not "
                             "fit in guest memory after the static-PIE's "
                             "lowest one"))
def _():
    # Moved by PIE_BASE, this segment would wrap around to 0x3ff000.
    a = pie()
    a.phdrs.insert(3, ph(PT_LOAD, PF_R, 0, 2**64 - PAGE, 0, 0x10, PAGE))
    return a


case("pie-align.bin", 1, lit("segment 1: alignment 0x800000 is lost at the "
                             "static-PIE load address 0x400000"))(
    lambda: setattr_(pie(), 1, align=0x800000))
case("pie-entry-data.bin", 1, bad_entry(PAGE + DATA_OFF))(
    lambda: app_(pie(), e_entry=PAGE + DATA_OFF))

# --- the entry point --------------------------------------------------------

case("entry-in-data.bin", 1, bad_entry(DATA_VADDR))(
    lambda: app(e_entry=DATA_VADDR))
case("entry-past-text.bin", 1, bad_entry(TEXT_VADDR + TEXT_SIZE))(
    lambda: app(e_entry=TEXT_VADDR + TEXT_SIZE))


@case("entry-in-text-bss.bin", 1, bad_entry(TEXT_VADDR + TEXT_SIZE))
def _():
    # Executable, but zero-filled: not code from the file.
    a = with_ph(0, memsz=TEXT_SIZE + 0x100)
    a.e_entry = TEXT_VADDR + TEXT_SIZE
    return a


case("entry-0.bin", 1, bad_entry(0))(lambda: app(e_entry=0))
case("entry-below.bin", 1, bad_entry(TEXT_VADDR - 1))(
    lambda: app(e_entry=TEXT_VADDR - 1))
case("entry-max.bin", 1, bad_entry(2**64 - 1))(
    lambda: app(e_entry=2**64 - 1))

# --- what the sandbox does not support --------------------------------------


@case("no-load.bin", 1, lit("no loadable segment"))
def _():
    a = App()
    a.phdrs[0].type = a.phdrs[1].type = PT_NOTE
    return a


@case("only-empty-load.bin", 1, lit("no loadable segment"))
def _():
    a = App()
    a.phdrs = [ph(PT_LOAD, PF_R | PF_X, 0, TEXT_VADDR, 0, 0, PAGE),
               stack_ph()]
    return a


case("interp.bin", 1, lit("dynamically linked (interpreter "
                          "/lib64/ld-linux-x86-64.so.2)" + STATIC_ONLY))(
    lambda: interp(App(), LD_SO))
# As gcc's default PIEs, e.g. /bin/true.
case("pie-interp.bin", 1, lit("dynamically linked (interpreter "
                              "/lib64/ld-linux-x86-64.so.2)" + STATIC_ONLY))(
    lambda: interp(pie(), LD_SO))
# A hostile name does not reach the terminal as it is.
case("interp-escape.bin", 1, lit("dynamically linked (interpreter "
                                 "/lib/?[2J?a" + "x" * 53 + "...)" +
                                 STATIC_ONLY))(
    lambda: interp(App(), b"/lib/\x1b[2J\xffa" + b"x" * 80 + b"\0"))
case("interp-outside.bin", 1, lit("dynamically linked (interpreter ?)" +
                                  STATIC_ONLY))(
    lambda: setattr_(interp(App(), LD_SO), 0, offset=0x10000))


@case("ok-dynamic.bin", EXIT_STATUS, None)
def _():
    # An ET_EXEC with a dynamic section but no interpreter and nothing
    # needed: loadable, the section is the program's business.
    a = App()
    dynamic(a, [])
    return a


@case("dynamic-outside.bin", 1,
      lit("program header 3: dynamic section outside the file"))
def _():
    a = App()
    dynamic(a, []).offset = 0x10000
    return a


@case("needed.bin", 1, lit("needs shared library libc.so.6 but names no "
                           "interpreter" + STATIC_ONLY))
def _():
    a = App()
    dynamic(a, [(DT_STRTAB, TEXT_VADDR + STR_OFF), (DT_NEEDED, 1)],
            b"\0libc.so.6\0")
    return a


@case("needed-no-strtab.bin", 1, lit("needs shared library ? but names no "
                                     "interpreter" + STATIC_ONLY))
def _():
    a = App()
    dynamic(a, [(DT_NEEDED, 1)], b"\0libc.so.6\0")
    return a


# As cc -shared makes them: ET_DYN, a dynamic section, no entry point.
case("shared.bin", 1, lit("shared library (ELF type DYN without an entry "
                          "point)" + STATIC_ONLY))(
    lambda: app_(pie(), e_entry=0))


def soname_lib(name):
    a = pie()
    a.phdrs.pop()  # pie()'s own PT_DYNAMIC
    dynamic(a, [(DT_STRTAB, STR_OFF), (DT_SONAME, 1)], b"\0" + name + b"\0")
    return a


# As ld-linux-x86-64.so.2: an entry point and no interpreter, but a soname.
case("shared-soname.bin", 1,
     lit("shared library (soname libfoo.so.1)" + STATIC_ONLY))(
    lambda: soname_lib(b"libfoo.so.1"))
# As libc.so.6: a soname and an interpreter; the soname says what it is.
case("shared-soname-interp.bin", 1,
     lit("shared library (soname libc.so.6)" + STATIC_ONLY))(
    lambda: interp(soname_lib(b"libc.so.6"), LD_SO))


@case("shared-soname-bad.bin", 1, lit("shared library (soname ?)" +
                                      STATIC_ONLY))
def _():
    # The soname's offset points past the string table's segment.
    a = pie()
    a.phdrs.pop()
    dynamic(a, [(DT_STRTAB, STR_OFF), (DT_SONAME, 2**64 - 1)], b"\0x\0")
    return a


@case("tls-filesz.bin", 1, lit("program header 3: TLS file size 0x10 > memory "
                               "size 0x8"))
def _():
    a = App()
    a.phdrs.append(ph(PT_TLS, PF_R, DATA_OFF, DATA_VADDR, 0x10, 8, 8))
    return a


@case("tls-align.bin", 1, lit("program header 3: TLS alignment 0x18 is not a "
                              "power of two"))
def _():
    a = App()
    a.phdrs.append(ph(PT_TLS, PF_R, DATA_OFF, DATA_VADDR, 8, 0x10, 0x18))
    return a


@case("nine-loads.bin", 1, lit("more than 8 loadable segments"))
def _():
    a = App()
    for k in range(7):
        a.phdrs.append(ph(PT_LOAD, PF_R, 0, LOAD_MIN + (2 + k) * PAGE,
                          0, 0x10, PAGE))
    return a


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = os.path.join(here, "elf")
    expected = os.path.join(here, "expected.txt")
    os.makedirs(outdir, exist_ok=True)

    # Keep the hand-committed fuzz findings and their lines.
    fuzz_lines = []
    if os.path.exists(expected):
        with open(expected) as f:
            fuzz_lines = [l for l in f if l.startswith("fuzz-")]

    names = set()
    lines = []
    for name, status, reason, make in CASES:
        assert name not in names, name
        names.add(name)
        data = make()
        if isinstance(data, App):
            data = data.bytes()
        assert len(data) < 8192, name
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        if reason is None:
            lines.append("%s %d -\n" % (name, status))
        else:
            lines.append("%s %d svm-sandbox: (.*/)?%s: %s\n" %
                         (name, status, lit(name), reason))
    for old in os.listdir(outdir):
        if old not in names and not old.startswith("fuzz-"):
            os.remove(os.path.join(outdir, old))

    with open(expected, "w") as f:
        f.write("# expected.txt: what svm-sandbox must do with each file of "
                "tests/corpus/elf (written by gen.py).\n"
                "# <file> <exit status> <stderr>: stderr is \"-\" for "
                "none, else an extended regex that\n"
                "# must match its one line whole (grep -Ex). Stdout must "
                "be empty.\n")
        f.writelines(lines)
        f.writelines(fuzz_lines)
    print("%d files in %s" % (len(CASES), outdir), file=sys.stderr)


if __name__ == "__main__":
    main()
