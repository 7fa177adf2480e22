# shellcheck shell=sh
# Spark standalone GPU worker: append to $SPARK_HOME/conf/spark-env.sh on every GPU host, then restart
# the worker. The worker runs the discovery script and offers its GPUs to executors, one address each.
# NNZIP_HOME: where nnzip is unpacked on this host (default /opt/nnzip).
# NNZIP_GPUS: how many GPUs to offer (default: all that deploy/bin/gpu-discovery reports).
NNZIP_HOME="${NNZIP_HOME:-/opt/nnzip}"
NNZIP_GPUS="${NNZIP_GPUS:-$("$NNZIP_HOME/deploy/bin/gpu-discovery" --count 2>/dev/null || echo 0)}"
if [ "$NNZIP_GPUS" -gt 0 ]; then
  SPARK_WORKER_OPTS="${SPARK_WORKER_OPTS:-} -Dspark.worker.resource.gpu.amount=$NNZIP_GPUS -Dspark.worker.resource.gpu.discoveryScript=$NNZIP_HOME/deploy/bin/gpu-discovery"
  export SPARK_WORKER_OPTS
fi
