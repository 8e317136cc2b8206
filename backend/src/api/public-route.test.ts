import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publicRouteFor, type PublicRoute } from './public-route.js';

describe('public routes', () => {
  const audit: PublicRoute = { path: '/api/v1/k8s/audit', serve: () => undefined };
  const routes = [audit];

  it('take their exact path, with a trailing slash or a query string', () => {
    for (const url of ['/api/v1/k8s/audit', '/api/v1/k8s/audit/', '/api/v1/k8s/audit?timeout=30s', '/api/v1/k8s/audit/?a=1']) {
      assert.equal(publicRouteFor(routes, url), audit, url);
    }
  });

  it('leave every other path to express', () => {
    for (const url of ['/api/v1/k8s/auditx', '/api/v1/k8s', '/api/v1/k8s/audit/more', '/api/v1/k8s/audit//', '/', '?/api/v1/k8s/audit', undefined]) {
      assert.equal(publicRouteFor(routes, url), undefined, String(url));
    }
    assert.equal(publicRouteFor([], '/api/v1/k8s/audit'), undefined);
  });
});
