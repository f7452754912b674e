// A histogram family written for the hot path: each label combination is bound once to a series of
// plain typed-array counters, so an observation is a bucket scan and three additions, with no label
// hashing (prom-client's own histogram hashes the label set on every observe). The family reads out in
// prom-client's metric shape, so it registers in a prom-client Registry like any other metric.

/** An exemplar: the observation that links a bucket to a trace. */
export interface Exemplar {
  labelSet: Record<string, string>;
  value: number;
  /** Seconds since the epoch, as OpenMetrics writes it. */
  timestamp: number;
}

export class HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly #bounds: readonly number[];
  /** Per bucket (the last one is +Inf), not cumulative. */
  readonly counts: Float64Array;
  /** Latest exemplar per bucket, allocated on the first one. */
  exemplars: (Exemplar | undefined)[] | null = null;
  sum = 0;
  count = 0;

  constructor(labels: Record<string, string>, bounds: readonly number[]) {
    this.labels = labels;
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): number {
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
    return i;
  }

  /** Observes `value` and keeps it as the exemplar of its bucket, with the trace it belongs to. */
  observeWithTrace(value: number, traceId: string, nowEpochMs: number): void {
    const bucket = this.observe(value);
    const exemplars = (this.exemplars ??= new Array<Exemplar | undefined>(this.counts.length));
    exemplars[bucket] = { labelSet: { trace_id: traceId }, value, timestamp: nowEpochMs / 1000 };
  }
}

/** Counts observations a full family had to drop; wired to sightline_metric_series_overflow_total. */
export type OverflowCounter = (family: string) => void;

interface PromValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
  exemplar?: Exemplar;
}

export class HistogramFamily {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #labelNames: readonly string[];
  readonly #bounds: readonly number[];
  readonly #maxSeries: number;
  readonly #series = new Map<string, HistogramSeries>();

  constructor(name: string, help: string, labelNames: readonly string[], bounds: readonly number[], maxSeries: number) {
    this.name = name;
    this.help = help;
    this.#labelNames = labelNames;
    this.#bounds = bounds;
    this.#maxSeries = maxSeries;
  }

  /** The series for these label values (in labelNames order), or null once the family is full. Bind once, observe often. */
  series(values: readonly string[]): HistogramSeries | null {
    const key = values.join('\u0000');
    let series = this.#series.get(key);
    if (series !== undefined) return series;
    if (this.#series.size >= this.#maxSeries) return null;
    const labels: Record<string, string> = {};
    this.#labelNames.forEach((name, i) => {
      const value = values[i] as string;
      if (value !== '') labels[name] = value;
    });
    series = new HistogramSeries(labels, this.#bounds);
    this.#series.set(key, series);
    return series;
  }

  /** prom-client's metric shape: cumulative buckets with their exemplars, then sum and count. */
  get(): { name: string; help: string; type: string; aggregator: string; values: PromValue[] } {
    const values: PromValue[] = [];
    for (const s of this.#series.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.#bounds.length; i++) {
        cumulative += s.counts[i] as number;
        const value: PromValue = { labels: { ...s.labels, le: i < this.#bounds.length ? (this.#bounds[i] as number) : '+Inf' }, value: cumulative, metricName: `${this.name}_bucket` };
        const exemplar = s.exemplars?.[i];
        if (exemplar !== undefined) value.exemplar = exemplar;
        values.push(value);
      }
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.#series.clear();
  }
}
