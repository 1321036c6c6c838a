# rtprelayd and the datapath library shared with rtprelayctl.
