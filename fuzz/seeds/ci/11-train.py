import mlflow, subprocess
subprocess.run(["python", "-m", "src.fit"])
mlflow.log_metric("a", 1)
