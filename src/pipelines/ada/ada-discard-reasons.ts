/**
 * Why Ada's pipeline throws a conversation away; stats count each under its name. The last four
 * are the runner's own names too, used for the same causes.
 */
export type AdaDiscardReason =
  | 'empty_reply'
  | 'truncated_reply'
  | 'tester_broke_role'
  | 'rewrite_failed'
  | 'invalid_output'
  | 'provider_failure'
  | 'deadline'
  | 'aborted';
