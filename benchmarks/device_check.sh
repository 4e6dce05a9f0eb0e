#!/usr/bin/env bash
# The device check: on a CUDA machine, install mfdem and, within about 8 minutes, run the engine tests on the
# GPU, BENCH-1 in f64 and f32 and BENCH-2, and print particle-steps per second, array memory per particle and
# every kernel that failed to compile. It runs the same way on a CPU (--arch cpu), which the test suite does
# with --quick (tests/test_device_check.py).
#
#   bash benchmarks/device_check.sh                      # CUDA, full sizes
#   bash benchmarks/device_check.sh --arch cpu --quick --no-install
#   bash benchmarks/device_check.sh --wheels wheels --jobs 8   # a machine with no network, 8 test processes
#
# Options: --arch cuda|cpu (default cuda); --quick (one engine test file, 10,000-particle BENCH-1, a 0.8 mm
# BENCH-2 of 2·10⁻⁵ s, compiled with MFDEM_FAST_COMPILE=1 as the test suite compiles: about a minute);
# --no-install (use the installed mfdem); --wheels DIR (no network: put the wheels in DIR, for the packages that
# machine lacks, on the path of this checkout instead of a pip install); --jobs N (the engine tests in N
# processes, with pytest-xdist); --out DIR (logs, JSON; default device_check_out). Exit status: 0 when every
# stage passed, 1 otherwise.
#
# On a CUDA image that has PyTorch's stack (numpy, scipy, h5py, click, psutil, rich, networkx) but not mfdem's
# own needs, these wheels were enough for the whole check (2026-12-06, Python 3.12):
#   pip download --no-deps --only-binary=:all: --python-version 3.12 --platform manylinux_2_27_x86_64 \
#       --platform manylinux_2_28_x86_64 -d wheels taichi==1.7.4 trimesh manifold3d tomli-w dill
set -uo pipefail
cd "$(dirname "$0")/.."

ARCH=cuda QUICK=0 INSTALL=1 OUT=device_check_out WHEELS="" JOBS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --no-install) INSTALL=0; shift ;;
    --wheels) WHEELS="$2"; INSTALL=0; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "device_check.sh: unknown option $1 (use --arch cuda|cpu, --quick, --no-install, --wheels DIR," \
            "--jobs N, --out DIR)" >&2
       exit 2 ;;
  esac
done
case "$ARCH" in cuda|cpu) ;; *) echo "device_check.sh: --arch must be cuda or cpu, not $ARCH" >&2; exit 2 ;; esac
case "$JOBS" in ''|*[!0-9]*|0) echo "device_check.sh: --jobs must be a whole number ≥ 1, not $JOBS" >&2; exit 2 ;; esac
if [ -n "$WHEELS" ] && ! compgen -G "$WHEELS/*.whl" >/dev/null; then
  echo "device_check.sh: --wheels $WHEELS holds no .whl files" >&2; exit 2
fi
mkdir -p "$OUT"
export MFDEM_FAST_COMPILE=0   # full sizes: tests and benchmarks compile as a run does (engine/backend.py)
PY=$(command -v python3 || command -v python)   # a GPU image may have python3 alone

if [ "$QUICK" = 1 ]; then
  TESTS=(tests/engine/test_momentum.py) BED=10000 BED_STEPS=50 D2=0.8e-3 WINDOW=2e-5 WARMUP=1e-5 LIMIT=300
  export MFDEM_FAST_COMPILE=1
else
  TESTS=(tests/engine) BED=100000 BED_STEPS=1000 D2=300e-6 WINDOW=1e-3 WARMUP=2e-4 LIMIT=240
fi
[ "$JOBS" -gt 1 ] && TESTS+=(-n "$JOBS")
FAILED=0
stage() {   # stage NAME SECONDS CMD...: run with a time limit, keep its log, report the outcome
  local name="$1" limit="$2"; shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" >"$OUT/$name.log" 2>&1
  local rc=$?
  if [ $rc -eq 0 ]; then echo "[ ok ] $name ($((SECONDS - t0)) s)"
  else echo "[FAIL] $name: exit $rc after $((SECONDS - t0)) s$([ $rc -eq 124 ] && echo ' (time limit)'), log $OUT/$name.log"
       tail -n 5 "$OUT/$name.log" | sed 's/^/       /'; FAILED=1; fi
}

echo "mfdem device check: arch $ARCH, $( [ "$QUICK" = 1 ] && echo quick || echo full ) sizes, $(date -u +%FT%TZ)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
[ "$INSTALL" = 1 ] && stage install 300 "$PY" -m pip install -q -e '.[test]'
if [ -n "$WHEELS" ]; then
  SITE=$(mktemp -d)
  stage install 120 "$PY" -m pip install -q --no-index --no-deps --no-compile --target "$SITE" "$WHEELS"/*.whl
  export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}"
fi
MFDEM_TEST_ARCH=$ARCH stage engine_tests "$LIMIT" "$PY" -m pytest -q -p no:cacheprovider "${TESTS[@]}"
tail -n 1 "$OUT/engine_tests.log"
for prec in f64 f32; do
  stage "bench1_$prec" 90 "$PY" benchmarks/dense_bed.py --arch "$ARCH" --precision "$prec" --particles "$BED" \
    --steps "$BED_STEPS" --json
done
stage bench2 300 "$PY" benchmarks/mixer_sector.py --arch "$ARCH" --precision f64 --particle-diameter "$D2" \
  --window "$WINDOW" --warmup-time "$WARMUP" --bench1-particles "$BED" --json

"$PY" - "$OUT" <<'EOF'
import json, pathlib, re, sys
out = pathlib.Path(sys.argv[1])
for name in ("bench1_f64", "bench1_f32", "bench2"):
    log = out / f"{name}.log"
    lines = [l for l in log.read_text().splitlines() if l.startswith("{")] if log.exists() else []
    if lines:
        r = json.loads(lines[-1])
        (out / f"{name}.json").write_text(lines[-1])
        print(f"{name}: {r['particles']} particles on {r['arch']}: {r['particle_steps_per_second']:.3e} p·s/s, "
              f"arrays {r['array_bytes_per_particle']:.0f} B/particle")
        b = r["breakdown"]
        print("    ns per particle-step: " + ", ".join(f"{k.replace('_', ' ')} {v:.2f}"
                                                       for k, v in b["ns_per_particle_step"].items())
              + f"; an empty step launch {b['empty_step_us']:.0f} µs")
        if "cost_ratio_to_bench1" in r:
            print(f"    a particle-step costs {r['cost_ratio_to_bench1']:.2f} × one of BENCH-1 "
                  f"({r['bench1_particles']} particles, interleaved with the window)")
failed = set()
for log in sorted(out.glob("*.log")):
    for line in log.read_text(errors="replace").splitlines():
        if re.search(r"TaichiCompilationError|TaichiTypeError|TaichiSyntaxError|LLVM ERROR|CUDA_ERROR|"
                     r"TaichiRuntimeError|Assertion .* failed", line):
            failed.add(f"{log.stem}: {line.strip()[:200]}")
print("kernels that failed to compile or launch: " + ("none" if not failed else ""))
for line in sorted(failed):
    print("  " + line)
EOF
echo "device check $( [ $FAILED = 0 ] && echo passed || echo FAILED ); logs in $OUT"
exit $FAILED
