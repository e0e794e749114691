#!/bin/bash -eu
# ClusterFuzzLite runs this in the OSS-Fuzz environment; the real script is
# shared with the OSS-Fuzz integration.
exec "$SRC/backstop/fuzz/oss-fuzz/build.sh"
