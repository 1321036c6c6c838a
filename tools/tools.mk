# rtprelayctl, rtpgen and other operator tools.
