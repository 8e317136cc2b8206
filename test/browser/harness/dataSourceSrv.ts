import type { DataSourceApi, DataSourceInstanceSettings } from '@grafana/data';
import type { DataSourceSrv, GetDataSourceListFilters } from '@grafana/runtime';

// The data source list the pages read (Explore links pick the Loki data source). In Grafana it
// comes from boot data too (config.datasources); loading data source plugins (get()) is Grafana's
// plugin loader, which no page of this app needs, so get() refuses.
export class BootDataSourceSrv implements DataSourceSrv {
  constructor(private readonly byName: Record<string, DataSourceInstanceSettings>) {}

  getList(filters: GetDataSourceListFilters = {}): DataSourceInstanceSettings[] {
    return Object.values(this.byName).filter((ds) => !filters.type || (Array.isArray(filters.type) ? filters.type.includes(ds.type) : ds.type === filters.type));
  }

  getInstanceSettings(ref?: string | { uid?: string } | null): DataSourceInstanceSettings | undefined {
    const list = Object.values(this.byName);
    if (ref === undefined || ref === null) {
      return list.find((ds) => ds.isDefault);
    }
    const key = typeof ref === 'string' ? ref : ref.uid;
    return list.find((ds) => ds.uid === key || ds.name === key);
  }

  get(): Promise<DataSourceApi> {
    return Promise.reject(new Error('the test harness does not load data source plugins'));
  }

  reload(): void {}

  registerRuntimeDataSource(): void {}
}
