import { payloadsText } from './format.ts';
import type { FailureInfo } from './wire.ts';

function facts(failure: FailureInfo): string[] {
  const out: string[] = [];
  if (failure.activityType)
    out.push(`activity ${failure.activityType}${failure.activityId ? ` (id ${failure.activityId})` : ''}`);
  if (failure.workflowType)
    out.push(`workflow ${failure.workflowType}${failure.workflowId ? ` (${failure.workflowId})` : ''}`);
  if (failure.retryState) out.push(`retry state ${failure.retryState}`);
  if (failure.timeoutType) out.push(`timeout ${failure.timeoutType}`);
  if (failure.nonRetryable) out.push('non-retryable');
  return out;
}

/** A failure and every cause under it, outermost first, each with its type, message and stack. */
export function FailureChain({ failure }: { failure: FailureInfo }) {
  const chain: FailureInfo[] = [];
  for (let current: FailureInfo | undefined = failure; current; current = current.cause) chain.push(current);
  return (
    <ol class="failure-chain" data-testid="failure-chain">
      {chain.map((link, index) => (
        <li key={index} class="failure">
          <div>
            <span class="failure-kind">{link.kind}</span>
            {link.type && <span class="failure-type mono">{link.type}</span>}
            <span class="failure-message">{link.message}</span>
          </div>
          {facts(link).length > 0 && <div class="muted small">{facts(link).join(' · ')}</div>}
          {link.details && link.details.length > 0 && (
            <details>
              <summary>details</summary>
              <pre>{payloadsText(link.details)}</pre>
            </details>
          )}
          {link.stack && (
            <details>
              <summary>stack</summary>
              <pre>{link.stack}</pre>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}
