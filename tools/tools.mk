# rtprelayctl, rtpgen and other operator tools.

# rtpgen (its own fragment so other tools merge without conflicts)
include tools/rtpgen.mk
