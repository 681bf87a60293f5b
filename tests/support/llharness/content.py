"""Deterministic file contents for the fixture layers."""
import random

WORDS = ("layer registry manifest digest blob tar gzip index platform config history whiteout opaque "
         "carve peek merged stream inflate token bearer scope pull push range redirect proxy alpine debian "
         "the of and to in is for on with as by at from").split()


def rng(seed):
    return random.Random(seed)


def text(seed, size):
    """Compressible, line-oriented text of exactly size bytes."""
    r = rng(seed)
    out = []
    n = 0
    while n < size:
        line = " ".join(r.choice(WORDS) for _ in range(r.randint(4, 14))) + "\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()[:size]


def binary(seed, size):
    """Incompressible bytes."""
    return rng(seed).randbytes(size)


class Pool:
    """Large fixtures slice two pools (random and text) instead of generating every byte; deflate's 32 KiB
    window cannot see the repetition, so the compressed size stays realistic."""

    def __init__(self, seed=7, size=8 << 20):
        self.random = binary(seed, size)
        self.text = text(seed + 1, 2 << 20)

    def chunk(self, kind, offset, size):
        src = self.random if kind == "random" else self.text
        out = bytearray()
        pos = offset % len(src)
        while len(out) < size:
            take = min(size - len(out), len(src) - pos)
            out += src[pos:pos + take]
            pos = 0
        return bytes(out)
