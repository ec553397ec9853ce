"""numpy model of the device's frame-to-input path (include/microt/input.h, src/input.c):
centre crop, bilinear sampling in 1/256 pixel, colour conversion per source pixel.

Written from the header's arithmetic, not from the C, so that agreeing means something; all
integer (int64 numpy, floor division and shifts written out). bilinear_float() is the same
resize in float64 with exact weights, the check that the fixed-point version is a bilinear
resize at all (factory/make_input_golden.py requires |difference| <= 1 everywhere).
"""
import numpy as np

RGB565, RGB565_BE, GRAY8, YUYV, RGB888 = 0, 1, 2, 3, 4
ORDER_RGB, ORDER_BGR, ORDER_GRAY = 0, 1, 2
BPP = {RGB565: 2, RGB565_BE: 2, GRAY8: 1, YUYV: 2, RGB888: 3}


def crop(w, h, out_h, out_w):
    cw, ch = w, h
    if w * out_h > h * out_w:
        cw = h * out_w // out_h
    else:
        ch = w * out_h // out_w
    cw, ch = max(cw, 1), max(ch, 1)
    return (w - cw) // 2, (h - ch) // 2, cw, ch


def decode(frame, fmt, w, h, stride):
    """Frame bytes -> int64 [h][w][4]: r, g, b, gray of every pixel."""
    rows = np.frombuffer(bytes(frame), np.uint8)[:stride * h].reshape(h, stride).astype(np.int64)
    out = np.zeros((h, w, 4), np.int64)
    if fmt in (RGB565, RGB565_BE):
        lo, hi = rows[:, 0:2 * w:2], rows[:, 1:2 * w:2]
        v = lo | (hi << 8) if fmt == RGB565 else hi | (lo << 8)
        r5, g6, b5 = v >> 11, (v >> 5) & 63, v & 31
        r, g, b = (r5 << 3) | (r5 >> 2), (g6 << 2) | (g6 >> 4), (b5 << 3) | (b5 >> 2)
    elif fmt == GRAY8:
        out[..., :] = rows[:, :w, None]
        return out
    elif fmt == YUYV:
        y = rows[:, 0:2 * w:2]
        u = np.repeat(rows[:, 1:2 * w:4], 2, axis=1) - 128
        v = np.repeat(rows[:, 3:2 * w:4], 2, axis=1) - 128
        y16 = y * 65536 + 32768
        out[..., 0] = np.clip((y16 + 91881 * v) >> 16, 0, 255)       # numpy >> floors
        out[..., 1] = np.clip((y16 - 22554 * u - 46802 * v) >> 16, 0, 255)
        out[..., 2] = np.clip((y16 + 116130 * u) >> 16, 0, 255)
        out[..., 3] = y
        return out
    else:
        r, g, b = rows[:, 0:3 * w:3], rows[:, 1:3 * w:3], rows[:, 2:3 * w:3]
    out[..., 0], out[..., 1], out[..., 2] = r, g, b
    out[..., 3] = (77 * r + 150 * g + 29 * b + 128) >> 8
    return out


def _positions(c, n):
    k = np.arange(n, dtype=np.int64)
    u = ((2 * k + 1) * c * 256) // (2 * n) - 128
    u = np.clip(u, 0, (c - 1) * 256)
    i, f = u >> 8, u & 255
    return i, f, np.minimum(i + 1, c - 1)


def _select(v, order):
    return v[..., [3]] if order == ORDER_GRAY else v[..., [2, 1, 0]] if order == ORDER_BGR else v[..., :3]


def resize(frame, fmt, w, h, stride, out_h, out_w, order):
    """uint8 [out_h][out_w][C] as mt_input_resize computes it."""
    px = decode(frame, fmt, w, h, stride)
    x0, y0, cw, ch = crop(w, h, out_h, out_w)
    px = px[y0:y0 + ch, x0:x0 + cw]
    i, f, i1 = _positions(cw, out_w)
    j, g, j1 = _positions(ch, out_h)
    f, g = f[None, :, None], g[:, None, None]
    a, b = px[j][:, i], px[j][:, i1]
    c, d = px[j1][:, i], px[j1][:, i1]
    v = (a * (256 - f) * (256 - g) + b * f * (256 - g) + c * (256 - f) * g + d * f * g + 32768) >> 16
    return _select(v, order).astype(np.uint8)


def bilinear_float(frame, fmt, w, h, stride, out_h, out_w, order):
    """The same crop and pixel-centre bilinear resize with exact float weights."""
    px = decode(frame, fmt, w, h, stride).astype(np.float64)
    x0, y0, cw, ch = crop(w, h, out_h, out_w)
    px = px[y0:y0 + ch, x0:x0 + cw]

    def pos(c, n):
        u = np.clip((np.arange(n) + 0.5) * c / n - 0.5, 0, c - 1)
        i = np.floor(u).astype(np.int64)
        return i, u - i, np.minimum(i + 1, c - 1)
    i, f, i1 = pos(cw, out_w)
    j, g, j1 = pos(ch, out_h)
    f, g = f[None, :, None], g[:, None, None]
    v = (px[j][:, i] * (1 - f) * (1 - g) + px[j][:, i1] * f * (1 - g) + px[j1][:, i] * (1 - f) * g
         + px[j1][:, i1] * f * g)
    return _select(v, order)
