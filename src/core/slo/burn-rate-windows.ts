// The multiwindow, multi-burn-rate alerts of the Google SRE workbook ("Alerting on SLOs", table 5-8).
// A burn rate is how much faster than sustainable the error budget is spent: at 1, a 30-day budget lasts
// exactly 30 days. Each alert needs both windows over the threshold: the long one says enough budget
// is gone to matter (2% of a 30-day budget in 1h; 5% in 6h), the short one that it is still burning, so
// the alert resolves minutes after the problem does instead of an hour later.
//
// Both page, as in the workbook: at 6× a 30-day budget is gone in 5 days, an outage someone should look
// at today (the workbook's ticket, 10% in 3 days, is left to the dashboards' budget-remaining series).
// The factors are the workbook's for a 30-day window and are kept for other windows: a burn rate of 14.4
// spends any window's budget in 1/14.4 of it.
//
// `for`: one evaluation of a 5m rate can spike on a handful of requests. Waiting 2m at 14.4× spends 0.07%
// of a 30-day budget, and 15m at 6× 0.2%: a small price for not paging on a blip (Pyrra does the same).

export interface BurnRateAlert {
  readonly alert: string;
  readonly factor: number;
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly for: string;
  readonly severity: string;
}

export const FAST_BURN: BurnRateAlert = { alert: 'SightlineSLOFastBurn', factor: 14.4, longWindow: '1h', shortWindow: '5m', for: '2m', severity: 'page' };
export const SLOW_BURN: BurnRateAlert = { alert: 'SightlineSLOSlowBurn', factor: 6, longWindow: '6h', shortWindow: '30m', for: '15m', severity: 'page' };

export const BURN_RATE_ALERTS: readonly BurnRateAlert[] = [FAST_BURN, SLOW_BURN];

/** Every window the alerts read a bad-request ratio over, shortest first. */
export const RATIO_WINDOWS: readonly string[] = ['5m', '30m', '1h', '6h'];
