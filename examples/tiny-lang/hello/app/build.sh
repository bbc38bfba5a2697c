#!/bin/sh
# The "compiler" of this example app: writes the program the image runs.
set -e
printf '#!/bin/sh\necho "hello from a tiny-lang app, built %s"\n' "$(cat version.txt)" > run
chmod +x run
