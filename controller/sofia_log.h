/* SPDX-License-Identifier: GPL-2.0-only */
/* sofia-sip's own log lines (nua, nta, tport...) through rtprelayd. */
#ifndef RR_SOFIA_LOG_H
#define RR_SOFIA_LOG_H

/* Redirects sofia-sip's default log (every module without a logger of its
 * own falls back to it): each line goes to stderr as before, its digit
 * runs masked when logging.mask_numbers is on (rr_mask_digits): sofia
 * prints URIs such as "strange ACK from <sip:+4930123456@...>". */
void rr_sofia_log_setup(void);

#endif
