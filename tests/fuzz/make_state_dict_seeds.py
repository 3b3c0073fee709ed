#!/usr/bin/env python3
# Seeds of fuzz_state_dict (tests/fuzz/fuzz_state_dict.cpp), made with PyTorch's own torch.save:
#   /usr/bin/python3 tests/fuzz/make_state_dict_seeds.py   (Debian's python3-torch)
# A leading 0 byte marks a whole archive; a leading 1 marks a data.pkl that the target wraps in
# an archive of four 256-byte storages, so those seeds use 64-float or 32-long storages.
import collections
import io
import os
import zipfile

import torch

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "fuzz", "state_dict")


def saved(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def data_pkl(archive):
    z = zipfile.ZipFile(io.BytesIO(archive))
    return z.read(next(n for n in z.namelist() if n.endswith("data.pkl")))


def write(name, content):
    with open(os.path.join(here, name), "wb") as f:
        f.write(content)


base = torch.arange(64, dtype=torch.float32)
model = collections.OrderedDict(
    weight=base.reshape(8, 8),
    bias=torch.arange(64, dtype=torch.float32)[2:10],
    steps=torch.arange(32, dtype=torch.int64),
    transposed=torch.arange(64, dtype=torch.float32).reshape(8, 8).t(),
)
write("ordered_dict.pt", b"\0" + saved(model))
pkl = data_pkl(saved(model))
write("ordered_dict.pkl", b"\1" + pkl)
# As a GPU machine saves it: every storage's location is cuda:0.
cpu, cuda = b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0"
assert cpu in pkl
write("cuda_storages.pkl", b"\1" + pkl.replace(cpu, cuda))
write("plain_dict.pkl", b"\1" + data_pkl(saved({"a": base, "b": base[::2]})))
