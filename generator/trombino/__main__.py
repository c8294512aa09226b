from trombino.cli import run

run()
