"""Reads the files inside a compiled Qt resource (.rcc), e.g. the photos Debian's
gcompris-qt-data keeps in /usr/share/gcompris-qt/rcc/*.rcc. Bounds-checks every offset: a
malformed file raises ValueError, never reads past the end.

Format (Qt's rcc, versions 1-3): "qres", then big-endian u32 version, tree offset, data offset,
names offset (v3 adds u32 flags). Tree nodes are 14 bytes (v1) or 22 (v2+, an 8-byte
modification time appended): u32 name offset, u16 flags (1 = zlib, 2 = directory, 4 = zstd),
then a directory's u32 child count and u32 first child index, or a file's u16 country,
u16 language, u32 data offset. Names: u16 length, u32 hash, UTF-16BE characters. Data: u32
size, then the bytes; zlib-compressed data starts with its u32 uncompressed size (qCompress).
"""
import struct
import zlib

_COMPRESSED, _DIRECTORY, _ZSTD = 1, 2, 4


def _u(fmt, b, off):
    n = struct.calcsize(fmt)
    if off < 0 or off + n > len(b):
        raise ValueError("rcc: offset %d out of range" % off)
    return struct.unpack_from(fmt, b, off)


def read_rcc(path):
    """Returns [(path inside the resource, bytes)] of every file; zstd-compressed files
    (none in gcompris) are skipped."""
    with open(path, "rb") as f:
        b = f.read()
    if b[:4] != b"qres":
        raise ValueError("%s: not a Qt resource file" % path)
    version, tree, data, names = _u(">IIII", b, 4)
    if version not in (1, 2, 3):
        raise ValueError("%s: unsupported rcc version %d" % (path, version))
    node = 22 if version >= 2 else 14

    def name(off):
        (n,) = _u(">H", b, names + off)
        start = names + off + 6
        if start + 2 * n > len(b):
            raise ValueError("rcc: name out of range")
        return b[start:start + 2 * n].decode("utf-16-be")

    out, seen = [], set()

    def walk(i, prefix, depth):
        if i in seen or depth > 64:
            raise ValueError("rcc: tree has a cycle")
        seen.add(i)
        p = tree + i * node
        name_off, flags = _u(">IH", b, p)
        nm = name(name_off) if i else ""
        if flags & _DIRECTORY:
            count, first = _u(">II", b, p + 6)
            if count > len(b) // node:
                raise ValueError("rcc: directory too large")
            for c in range(count):
                walk(first + c, prefix + nm + "/" if i else "", depth + 1)
            return
        (data_off,) = _u(">I", b, p + 10)
        (size,) = _u(">I", b, data + data_off)
        start = data + data_off + 4
        if start + size > len(b):
            raise ValueError("rcc: data out of range")
        raw = b[start:start + size]
        if flags & _ZSTD:
            return
        if flags & _COMPRESSED:
            raw = zlib.decompress(raw[4:])
        out.append((prefix + nm, raw))

    walk(0, "", 0)
    return out
