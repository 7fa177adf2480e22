#!/usr/bin/env python3
"""PyTorch reference for `nnzip bench train`: time one training step of the same model.

Builds the model named by --arch on input [batch, 1, 28, 28] (Fashion-MNIST shape), trains it with
Adam (lr 1e-3) on softmax cross-entropy over random batches (seeded, a new one each step), and times
`--steps` steps (forward + backward + optimizer step) after `--warmup` untimed ones, on `--threads`
intra-op threads (OpenMP, OpenBLAS and MKL pools are sized to it as well).

    torch_train_step.py --arch lenet5 --batch 128 --threads 1 --steps 20 --warmup 3 --json

Prints one JSON object with --json (else one line of text). Exit 2 when PyTorch is missing. Debian's
python3-torch runs its GEMMs on whatever libblas.so.3 is selected; without libopenblas0-pthread that is
the reference BLAS, 10-25x slower, and the script warns on stderr (and reports "openblas": false).

"minor_faults_per_step" counts page faults inside the timed steps: glibc returns large freed blocks to
the kernel, so each step maps and zeroes fresh pages. On a VM where faults are expensive that can
dominate (LeNet-5 measured 116 ms/step with ~5,000 faults/step, 36 ms with none). Starting the process
with MALLOC_MMAP_THRESHOLD_=1000000000 MALLOC_TRIM_THRESHOLD_=1000000000 keeps freed memory mapped;
compare nnzip and PyTorch under the same setting.
"""

import argparse
import json
import os
import re
import resource
import statistics
import sys
import time

ARCHS = ("mlp-300-100", "lenet5", "vgg-small", "resnet20")
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's python3-torch is installed for this interpreter only


def import_torch():
    try:
        import torch  # noqa: F401
        return torch
    except ImportError:
        pass
    # A pyenv/venv python3 first on PATH does not see Debian's dist-packages: retry with the system one.
    if (os.path.exists(SYSTEM_PYTHON) and not os.environ.get("NNZIP_BENCH_REEXEC")
            and os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON)):
        os.environ["NNZIP_BENCH_REEXEC"] = "1"
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])
    print("PyTorch not installed: apt-get install python3-torch libopenblas0-pthread", file=sys.stderr)
    sys.exit(2)


def build(torch, arch):
    nn = torch.nn

    def conv_bn_relu(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

    if arch == "mlp-300-100":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                             nn.Linear(100, 10))
    if arch == "lenet5":
        return nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))
    if arch == "vgg-small":
        return nn.Sequential(*conv_bn_relu(1, 32), *conv_bn_relu(32, 32), nn.MaxPool2d(2),
                             *conv_bn_relu(32, 64), *conv_bn_relu(64, 64), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(), nn.Linear(256, 10))
    if arch == "resnet20":
        return resnet20(torch)
    raise ValueError(arch)


def resnet20(torch):
    """CIFAR ResNet-20 (He et al. 2016): 16/32/64 channels, 3 basic blocks per stage, 1x1 conv + BN
    projection shortcuts where a block halves the resolution, global average pooling, Linear 64->10."""
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.shortcut = nn.Identity()
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            y = torch.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            return torch.relu(y + self.shortcut(x))

    layers = [nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True)]
    cin = 16
    for cout, stride in ((16, 1), (32, 2), (64, 2)):
        for i in range(3):
            layers.append(Block(cin, cout, stride if i == 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


def blas_info(torch):
    """(build-time BLAS from torch.__config__.show(), BLAS libraries mapped into this process)."""
    built = "unknown"
    try:
        m = re.search(r"\bBLAS_INFO=([^,\s]+)", torch.__config__.show())
        if m:
            built = m.group(1)
    except Exception:  # noqa: BLE001 - diagnostics only
        pass
    mapped = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path)
                if name.startswith(("libblas", "libopenblas", "libmkl", "libblis", "libcblas")):
                    mapped.add(os.path.realpath(path))
    except OSError:
        pass
    return built, sorted(mapped)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", required=True, choices=ARCHS)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.batch < 1 or args.threads < 1 or args.steps < 1 or args.warmup < 0:
        parser.error("--batch, --threads and --steps must be >= 1, --warmup >= 0")

    # Before torch loads: OpenBLAS (pthread build) and OpenMP size their own pools from these.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    torch = import_torch()
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model = build(torch, args.arch)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def batch():
        # A fresh random batch (random labels) per step, drawn outside the timing: the loss stays near
        # ln 10 and the gradients at training-like magnitudes, where one repeated batch would be fitted
        # within a few dozen steps and leave vanishing gradients.
        return (torch.randn(args.batch, 1, 28, 28, generator=gen),
                torch.randint(0, 10, (args.batch,), generator=gen))

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(args.warmup):
        step(*batch())
    times = []
    cpu = []
    faults = 0
    for _ in range(args.steps):
        x, y = batch()
        f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t0 = time.perf_counter()
        c0 = time.process_time()
        loss = step(x, y)
        times.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
        faults += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
    faults /= args.steps
    loss = float(loss.detach())

    built, mapped = blas_info(torch)
    openblas = any("openblas" in p for p in mapped) if mapped else "open" in built.lower()
    if not openblas:
        print("warning: PyTorch is not running on OpenBLAS (BLAS_INFO=%s, mapped: %s); install "
              "libopenblas0-pthread, or this baseline is 10-25x slow" % (built, ", ".join(mapped) or "none"),
              file=sys.stderr)
    result = {
        "arch": args.arch,
        "batch": args.batch,
        "threads": args.threads,
        "steps": args.steps,
        "warmup": args.warmup,
        "ms_per_step_median": round(statistics.median(times), 3),
        "ms_per_step_mean": round(statistics.fmean(times), 3),
        "ms_per_step_min": round(min(times), 3),
        "cpu_ms_per_step_median": round(statistics.median(cpu), 3),
        "minor_faults_per_step": round(faults),
        "parameters": sum(p.numel() for p in model.parameters()),
        "final_loss": round(loss, 5),
        "torch_version": torch.__version__,
        "blas": built,
        "blas_libraries": mapped,
        "openblas": openblas,
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print("%s batch %d threads %d: %.2f ms/step median, %.2f mean over %d steps (torch %s, BLAS %s)"
              % (args.arch, args.batch, args.threads, result["ms_per_step_median"], result["ms_per_step_mean"],
                 args.steps, result["torch_version"], built))


if __name__ == "__main__":
    main()
