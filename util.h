/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HT_UTIL_H
#define HT_UTIL_H

#define HT_FRAME_LEN		80

void ht_symbolize(unsigned long ip, char *scratch, char *frame);
void ht_safe_comm(char *safe, const char *comm);

#endif /* HT_UTIL_H */
