import { render } from 'preact';
import { ListPage } from './list-page.tsx';
import { hrefFor, type Route, useRoute } from './route.ts';
import { RunPage } from './run-page.tsx';
import { SchedulesPage } from './schedules-page.tsx';
import './styles.css';

const LIST: Extract<Route, { page: 'list' }> = {
  page: 'list',
  namespace: 'default',
  query: '',
  status: '',
  type: '',
  since: '',
  size: '',
};

function App() {
  const route = useRoute();
  return (
    <>
      <header class="top">
        <a href="#/" class="brand">
          Cairn
        </a>
        <nav class="top-nav">
          <a href={hrefFor({ ...LIST, namespace: route.namespace })}>Workflows</a>
          <a href={hrefFor({ page: 'schedules', namespace: route.namespace })}>Schedules</a>
        </nav>
        <span class="muted">namespace {route.namespace}</span>
      </header>
      {route.page === 'run' ? (
        <RunPage route={route} key={`${route.workflowId}|${route.runId ?? ''}`} />
      ) : route.page === 'schedules' ? (
        <SchedulesPage route={route} />
      ) : (
        <ListPage route={route} />
      )}
    </>
  );
}

render(<App />, document.getElementById('app')!);
