"""Seeds a Runicorn storage directory with three small runs, written with Runicorn's own Python SDK.

    python3 Scripts/runicorn-seed.py STORAGE_DIR

Prints `NAME=run id` lines for the env file: RUNICORN_RUN_BASELINE and RUNICORN_RUN_HIGH_LR (project `vision`,
path `vision/resnet`, 100 steps of `loss` and `acc`; the baseline's loss spikes to 5.0 at step 70) and
RUNICORN_RUN_NLP (project `nlp`, one point, status failed). Used by the Runicorn compatibility tests; installs
nothing.
"""

import sys

import runicorn


def main() -> None:
    storage = sys.argv[1]
    ids = {}
    for name, lr, offset in (("BASELINE", 0.001, 0.0), ("HIGH_LR", 0.01, 0.1)):
        alias = "baseline" if name == "BASELINE" else "high-lr"
        run = runicorn.init(path="vision/resnet", storage=storage, alias=alias)
        run.log_config(extra={"lr": lr, "batch_size": 32})
        for step in range(100):
            loss = 5.0 if (name == "BASELINE" and step == 70) else 2.0 / (step + 1) + offset
            run.log({"loss": loss, "acc": step / 100.0}, step=step)
        run.summary({"final_loss": 2.0 / 100 + offset})
        run.finish()
        ids[name] = run.id
    run = runicorn.init(path="nlp", storage=storage)
    run.log({"loss": 1.0}, step=0)
    run.finish(status="failed")
    ids["NLP"] = run.id
    for name, run_id in ids.items():
        print(f"RUNICORN_RUN_{name}={run_id}")


if __name__ == "__main__":
    main()
