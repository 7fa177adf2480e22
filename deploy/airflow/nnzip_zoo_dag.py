"""The model zoo, nightly, from Airflow: one SparkSubmitOperator task that runs `nnzip zoo --manifest ...`.

Copy this file into the DAGs folder of an Airflow 2.x (apache-airflow-providers-apache-spark installed) whose
workers have Spark's spark-submit and nnzip's application jar (the Docker image of deploy/docker puts it at
/opt/nnzip/nnzip.jar). The Spark connection `spark_default` names the cluster (its host is the master URL).
The task fails when the zoo exits non-zero: 4 when some models failed (the others are done; see
DIR/_history.jsonl and DIR/index.html), 2 or 3 for a bad manifest. Airflow does not retry it: the zoo retries
models itself, and the next night redoes only what is not done. The manifest's path is the Airflow Variable
`nnzip_zoo_manifest` (default /etc/nnzip/zoo.conf), read when the task runs, not when the DAG is parsed.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

APP_JAR = "/opt/nnzip/nnzip.jar"
MAIN_CLASS = "nnzip.cli.Main"
MANIFEST = "{{ var.value.get('nnzip_zoo_manifest', '/etc/nnzip/zoo.conf') }}"  # application_args is templated
# The JVM flags Spark 4 needs on Java 17: the same string as the launcher's OPENS (deploy/bin/nnzip).
JAVA17_OPENS = " ".join([
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
])

with DAG(
    dag_id="nnzip_zoo_nightly",
    description="nnzip: recompress the model zoo (incremental: unchanged models are skipped)",
    schedule="15 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,  # a night still running is never joined by the next one
    default_args={"owner": "nnzip", "retries": 0},
    tags=["nnzip"],
) as dag:
    zoo = SparkSubmitOperator(
        task_id="zoo",
        conn_id="spark_default",
        application=APP_JAR,
        java_class=MAIN_CLASS,
        name="nnzip-zoo",
        application_args=["zoo", "--manifest", MANIFEST],
        conf={
            "spark.driver.extraJavaOptions": JAVA17_OPENS,
            "spark.executor.extraJavaOptions": JAVA17_OPENS,
            "spark.executorEnv.OMP_NUM_THREADS": "1",
        },
        driver_memory="4g",
        executor_memory="6g",
        num_executors=4,
        execution_timeout=timedelta(hours=20),
    )
