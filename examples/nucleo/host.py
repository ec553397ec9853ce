#!/usr/bin/python3
"""Talks to the NUCLEO example firmware over the ST-LINK virtual COM port (examples/nucleo,
protocol in app/mt_app.h): send labelled shots, train, then ask for answers.

  host.py /dev/ttyACM0 ping
  host.py /dev/ttyACM0 add 0 cup1.jpg cup2.jpg ...    # label 0
  host.py /dev/ttyACM0 add 1 pen1.jpg ...             # label 1
  host.py /dev/ttyACM0 train 50                       # r = 0.5; saved to the head store
  host.py /dev/ttyACM0 infer photo.jpg

Images are sent as RGB565 frames at 160x120 (the firmware crops and resizes them itself, as
it would a camera frame). Needs python3-serial and python3-pil (Debian).
"""
import argparse
import struct
import sys
import zlib

RGB565 = 0


def request(cmd, payload=b""):
    head = bytes([ord(cmd)]) + struct.pack("<H", len(payload))
    return b"MT" + head + payload + struct.pack("<I", zlib.crc32(head + payload))


def frame(path, size=(160, 120)):
    from PIL import Image
    img = Image.open(path).convert("RGB").resize(size)
    px = bytearray()
    for r, g, b in img.getdata():
        v = (r >> 3) << 11 | (g >> 2) << 5 | (b >> 3)
        px += struct.pack("<H", v)
    return struct.pack("<BHH", RGB565, size[0], size[1]) + bytes(px)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("port")
    ap.add_argument("command", choices=["ping", "add", "train", "infer", "clear"])
    ap.add_argument("args", nargs="*")
    ap.add_argument("--baud", type=int, default=115200)
    a = ap.parse_args()
    import serial
    s = serial.Serial(a.port, a.baud, timeout=60)
    if a.command == "ping":
        reqs = [request("P")]
    elif a.command == "clear":
        reqs = [request("C")]
    elif a.command == "train":
        reqs = [request("T", bytes([int(a.args[0]) if a.args else 50]))]
    elif a.command == "add":
        label = int(a.args[0])
        reqs = [request("A", bytes([label]) + frame(p)) for p in a.args[1:]]
    else:
        reqs = [request("I", frame(p)) for p in a.args]
    for r in reqs:
        s.write(r)
        line = s.readline().decode(errors="replace").strip()
        print(line)
        if line.startswith("ERR"):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
