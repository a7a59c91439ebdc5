from dedup.cli.main import main  # absolute: this file also runs as a script (spark-submit)

main()
