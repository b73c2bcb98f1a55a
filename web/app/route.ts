import { useEffect, useState } from 'preact/hooks';

/** The pages of the UI, addressed in the URL's fragment so any static server can serve it. */
export type Route =
  | {
      page: 'list';
      namespace: string;
      query: string;
      status: string;
      type: string;
      since: string;
      size: string;
    }
  | { page: 'run'; namespace: string; workflowId: string; runId?: string }
  | { page: 'schedules'; namespace: string };

const DEFAULT_NAMESPACE = 'default';

/** `#/namespaces/ns/workflows?query=…` or `#/namespaces/ns/workflows/<id>?runId=…`. */
export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const namespace = parts[0] === 'namespaces' && parts[1] ? parts[1] : DEFAULT_NAMESPACE;
  if (parts[2] === 'schedules') return { page: 'schedules', namespace };
  if (parts[2] === 'workflows' && parts[3] !== undefined) {
    return { page: 'run', namespace, workflowId: parts[3], runId: params.get('runId') ?? undefined };
  }
  return {
    page: 'list',
    namespace,
    query: params.get('query') ?? '',
    status: params.get('status') ?? '',
    type: params.get('type') ?? '',
    since: params.get('since') ?? '',
    size: params.get('size') ?? '',
  };
}

/** The fragment that addresses `route`. */
export function hrefFor(route: Route): string {
  if (route.page === 'schedules') return `#/namespaces/${encodeURIComponent(route.namespace)}/schedules`;
  const base = `#/namespaces/${encodeURIComponent(route.namespace)}/workflows`;
  const params = new URLSearchParams();
  if (route.page === 'run') {
    if (route.runId) params.set('runId', route.runId);
    const search = params.toString();
    return `${base}/${encodeURIComponent(route.workflowId)}${search ? `?${search}` : ''}`;
  }
  for (const name of ['query', 'status', 'type', 'since', 'size'] as const)
    if (route[name]) params.set(name, route[name]);
  const search = params.toString();
  return `${base}${search ? `?${search}` : ''}`;
}

/** A link to a run's page. */
export function runHref(namespace: string, workflowId: string, runId?: string): string {
  return hrefFor({ page: 'run', namespace, workflowId, runId });
}

/** The current route, following the fragment as it changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
