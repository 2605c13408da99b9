import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.append(os.path.join(os.path.dirname(__file__), "..", "lib"))

from airflow import DAG
from airflow.operators.trigger_dagrun import TriggerDagRunOperator
from orchestration.utils import env_schedule, pod_task

TRAINING_DIR = Path("/opt/airflow/training")
LIFECYCLE_DAG_ID = "lifecycle"
TRAIN_COMMAND = (
    "python -m jobs.train_model "
    "--data /data/latest.parquet"
)


def run_training(**_):
    script = TRAINING_DIR / "train_model.py"
    subprocess.run([sys.executable, str(script)], check=True)
    subprocess.run("train-churn --epochs 3", shell=True, check=True)


with DAG(dag_id="nightly", schedule=env_schedule("S", "30 3 * * *")) as dag:
    pod_task("train", "img:latest", TRAIN_COMMAND)
    TriggerDagRunOperator(task_id="next", trigger_dag_id=LIFECYCLE_DAG_ID)
    cmd = f"""
    cd /app && python3 src/train.py \\
        --epochs {3}
    """
