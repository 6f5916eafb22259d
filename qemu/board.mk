# The board bundle: make board-bundle KSRC=<a board kernel's build dir>,
# and make board-test, which runs it as a board would.
