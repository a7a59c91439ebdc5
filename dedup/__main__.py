from dedup.cli import main  # absolute: this file also runs as a script (spark-submit)

main()
