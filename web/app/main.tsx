import { render } from 'preact';
import { ListPage } from './list-page.tsx';
import { useRoute } from './route.ts';
import { RunPage } from './run-page.tsx';
import './styles.css';

function App() {
  const route = useRoute();
  return (
    <>
      <header class="top">
        <a href="#/" class="brand">
          Cairn
        </a>
        <span class="muted">namespace {route.namespace}</span>
      </header>
      {route.page === 'run' ? (
        <RunPage route={route} key={`${route.workflowId}|${route.runId ?? ''}`} />
      ) : (
        <ListPage route={route} />
      )}
    </>
  );
}

render(<App />, document.getElementById('app')!);
