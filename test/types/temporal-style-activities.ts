// Activities as a Temporal project writes them; type-checked (tsc, strict) against cairnflow/*.
import {
  ApplicationFailure,
  ApplicationFailureCategory,
  activityInfo,
  Context,
  heartbeat,
} from 'cairnflow/activity';

export async function chargeCard(customerId: string, cents: number): Promise<{ chargeId: string }> {
  const { workflowExecution, attempt, heartbeatDetails } = activityInfo();
  // heartbeatDetails is `any`, as in Temporal: resuming needs no cast.
  const resumeFrom: number = heartbeatDetails ?? 0;
  heartbeat(resumeFrom + 1);
  if (cents <= 0) {
    throw ApplicationFailure.create({
      message: 'nothing to charge',
      type: 'NothingToCharge',
      nonRetryable: true,
      category: ApplicationFailureCategory.BENIGN,
    });
  }
  const ctx = Context.current();
  ctx.log.info('charging', { customerId, attempt });
  await Promise.race([ctx.cancelled, ctx.sleep(10)]).catch(() => undefined);
  return { chargeId: `${workflowExecution.workflowId}-${attempt}` };
}

export async function sendReceipt(chargeId: string): Promise<void> {
  Context.current().log.debug('receipt', { chargeId });
}
