import { useState } from 'preact/hooks';
import { api, jsonPayload } from './api.ts';
import { FailureChain } from './failure-chain.tsx';
import { parseArgs, payloadText } from './format.ts';
import type { FailureInfo } from './wire.ts';

type Kind = 'signal' | 'query' | 'update' | 'cancel' | 'terminate';

const VERBS: Record<Kind, string> = {
  signal: 'Send signal',
  query: 'Run query',
  update: 'Run update',
  cancel: 'Request cancellation',
  terminate: 'Terminate',
};

type Outcome = { text: string } | { failure: FailureInfo } | { error: string };

interface Target {
  namespace: string;
  workflowId: string;
  runId: string;
  open: boolean;
}

/** Runs one action; the update waits for its outcome in bounded long polls. */
async function perform(
  kind: Kind,
  target: Target,
  name: string,
  args: unknown[],
  reason: string,
): Promise<Outcome> {
  const { namespace, workflowId, runId } = target;
  const input = args.map(jsonPayload);
  switch (kind) {
    case 'signal':
      await api.signal(namespace, workflowId, runId, name, input);
      return { text: `Signal '${name}' sent.` };
    case 'query':
      return { text: payloadText((await api.query(namespace, workflowId, runId, name, input)).result) };
    case 'update': {
      let answer = await api.update(namespace, workflowId, name, input);
      // Each call waits up to 20 s; an update still running after three is left to run.
      for (let attempt = 1; !answer.outcome && attempt < 3; attempt++) {
        answer = await api.update(namespace, workflowId, name, input, answer.updateId);
      }
      if (!answer.outcome) return { text: `Update ${answer.updateId} is still running.` };
      return 'result' in answer.outcome
        ? { text: payloadText(answer.outcome.result) }
        : { failure: answer.outcome.failure };
    }
    case 'cancel':
      await api.cancel(namespace, workflowId, runId, reason);
      return { text: 'Cancellation requested.' };
    case 'terminate':
      await api.terminate(namespace, workflowId, runId, reason);
      return { text: 'Terminated.' };
  }
}

function ActionForm({ kind, target, onDone }: { kind: Kind; target: Target; onDone: () => void }) {
  const [name, setName] = useState('');
  const [argsText, setArgsText] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState<unknown[] | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const named = kind === 'signal' || kind === 'query' || kind === 'update';
  const review = (event: Event) => {
    event.preventDefault();
    setOutcome(undefined);
    if (named && !name.trim()) return setProblem(`Name the ${kind}.`);
    try {
      setConfirming(named ? parseArgs(argsText) : []);
      setProblem(undefined);
    } catch (error) {
      setProblem(`Arguments are not JSON: ${(error as Error).message}`);
    }
  };
  const confirm = async () => {
    setBusy(true);
    try {
      setOutcome(await perform(kind, target, name.trim(), confirming ?? [], reason));
    } catch (error) {
      setOutcome({ error: (error as Error).message });
    } finally {
      setBusy(false);
      setConfirming(undefined);
      onDone();
    }
  };
  return (
    <form class="action-form" data-testid={`action-${kind}`} onSubmit={review}>
      {named && (
        <label>
          {kind[0]!.toUpperCase() + kind.slice(1)} name
          <input name="name" value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </label>
      )}
      {named && (
        <label>
          Arguments (JSON; an array is a list of arguments)
          <textarea
            name="args"
            rows={3}
            value={argsText}
            onInput={(event) => setArgsText(event.currentTarget.value)}
          />
        </label>
      )}
      {!named && (
        <label>
          Reason
          <input name="reason" value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
        </label>
      )}
      {problem && <p class="error">{problem}</p>}
      {confirming === undefined ? (
        <button type="submit">{VERBS[kind]}…</button>
      ) : (
        <div class="confirm" role="alertdialog" aria-label={`Confirm ${kind}`}>
          <p>
            {VERBS[kind]}
            {named
              ? ` '${name.trim()}' with ${JSON.stringify(confirming)}`
              : reason
                ? ` (reason: ${reason})`
                : ''}{' '}
            on <span class="mono">{target.workflowId}</span>?
          </p>
          <button type="button" class="danger" disabled={busy} onClick={confirm}>
            Confirm {kind}
          </button>
          <button type="button" disabled={busy} onClick={() => setConfirming(undefined)}>
            Back
          </button>
        </div>
      )}
      {outcome && 'text' in outcome && (
        <pre class="outcome" data-testid="action-outcome">
          {outcome.text}
        </pre>
      )}
      {outcome && 'failure' in outcome && <FailureChain failure={outcome.failure} />}
      {outcome && 'error' in outcome && (
        <p class="error" role="alert" data-testid="action-error">
          {outcome.error}
        </p>
      )}
    </form>
  );
}

/** Signal, query, update, cancel and terminate, each asking before it acts. */
export function Actions({ target, onDone }: { target: Target; onDone: () => void }) {
  const [kind, setKind] = useState<Kind | undefined>(undefined);
  const kinds: Kind[] = target.open ? ['signal', 'query', 'update', 'cancel', 'terminate'] : ['query'];
  return (
    <section class="actions">
      <div class="action-buttons">
        {kinds.map((each) => (
          <button
            key={each}
            type="button"
            class={kind === each ? 'selected' : each === 'terminate' ? 'danger-outline' : ''}
            onClick={() => setKind(kind === each ? undefined : each)}
          >
            {each[0]!.toUpperCase() + each.slice(1)}
          </button>
        ))}
      </div>
      {kind && <ActionForm key={kind} kind={kind} target={target} onDone={onDone} />}
    </section>
  );
}
