#!/usr/bin/env bash
# openblas-reference.sh installs what `go run ./examples/bench -numpy` needs
# for its reference GEMM: Debian's OpenBLAS (pthreads build) with numpy and
# threadpoolctl for the system python, then prints the python to pass as
# -python and the OpenBLAS kernel family it detects on this CPU. Nothing
# else in the project needs python. Run as root on Debian or Ubuntu.
set -euo pipefail

python=/usr/bin/python3
check() { "$python" -c 'import numpy, threadpoolctl' 2>/dev/null; }

if ! check; then
	[ "$(id -u)" -eq 0 ] || { echo "openblas-reference: need root to apt-get install python3-numpy python3-threadpoolctl libopenblas0-pthread" >&2; exit 1; }
	pkgs=(python3-numpy python3-threadpoolctl libopenblas0-pthread)
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; }
	check || { echo "openblas-reference: numpy or threadpoolctl still missing for $python" >&2; exit 1; }
fi
"$python" - <<'PY'
import numpy, threadpoolctl
for pool in threadpoolctl.threadpool_info():
    if pool.get("internal_api") == "openblas":
        print(f"OpenBLAS {pool.get('version')} with {pool.get('architecture')} kernels, {pool.get('num_threads')} threads")
PY
echo "use: go run ./examples/bench -case gemm -numpy -python $python"
