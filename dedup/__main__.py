from dedup.cli import run  # absolute: this file also runs as a script (spark-submit)

run()
