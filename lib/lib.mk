# Userspace code shared by the tools and the controller; its header is in
# include/rtprelay/rtp.h. Included by the parts that link it (guarded).
ifndef LIBRTP_SRCS
LIBRTP_SRCS := lib/rtp_header.c lib/rtp_meter.c
endif
