"""`python -m nlp …`: the command line, also for `torchrun -m nlp train …`."""

from nlp.cli import main

main()
