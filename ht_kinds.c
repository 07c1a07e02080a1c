// SPDX-License-Identifier: GPL-2.0
/*
 * The names of the kinds, rules and unjudged reasons (ht_kinds.h), linked
 * into the module and into hugetrack-bpf.
 */
#include "ht_kinds.h"

const char *const ht_kind_names[HT_EV_NR + 1] = {
	[HT_EV_FAULT] = "fault",
	[HT_EV_RESERVE] = "reserve",
	[HT_EV_UNRESERVE] = "unreserve",
	[HT_EV_VMA_CLOSE] = "vma_close",
	[HT_EV_UFFD_COPY] = "uffd_copy",
	[HT_EV_UFFD_CONTINUE] = "uffd_continue",
	[HT_EV_ZAP] = "zap",
	[HT_EV_FORK_COPY] = "fork_copy",
	[HT_EV_TRUNCATE] = "truncate",
	[HT_EV_HOLE_PUNCH] = "hole_punch",
	[HT_EV_SUBPOOL_NEW] = "subpool_new",
	[HT_EV_SUBPOOL_PUT] = "subpool_put",
	[HT_EV_PMD_SHARE] = "pmd_share",
	[HT_EV_COLLAPSE] = "collapse",
	[HT_EV_COUNTER_WRITE] = "counter_write",
};

const char *const ht_rule_names[HT_RULE_NR] = {
	[HT_RULE_RESV_UNDERFLOW] = "resv_underflow",
	[HT_RULE_RESV_DOUBLE_CONSUME] = "resv_double_consume",
	[HT_RULE_RESV_UNEXPECTED_DELTA] = "resv_unexpected_delta",
	[HT_RULE_REF_MAP_MISMATCH] = "ref_map_mismatch",
	[HT_RULE_REFCOUNT_NEAR_OVERFLOW] = "refcount_near_overflow",
	[HT_RULE_TAIL_REFCOUNT] = "tail_refcount",
	[HT_RULE_RESV_LEAK] = "resv_leak",
	[HT_RULE_RESV_DEFICIT] = "resv_deficit",
	[HT_RULE_RESV_LOST] = "resv_lost",
	[HT_RULE_SUBPOOL_USED_LEAK] = "subpool_used_leak",
};

const char *const ht_unjudged_names[HT_UNJ_NR] = {
	[HT_UNJ_UNARMED] = "unarmed",
	[HT_UNJ_OVERLAP] = "overlap",
	[HT_UNJ_UNWATCHED] = "unwatched",
	[HT_UNJ_LOCK_BUSY] = "lock_busy",
	[HT_UNJ_PAGE_CACHE] = "page_cache",
	[HT_UNJ_MM_USERS] = "mm_users",
	[HT_UNJ_MAPPED_ELSEWHERE] = "mapped_elsewhere",
	[HT_UNJ_HELD_REF] = "held_ref",
};
