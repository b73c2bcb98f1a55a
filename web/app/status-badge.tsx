/** A run's (or an activity's) status as a coloured label. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge status-${status}`} data-testid="status">
      {status}
    </span>
  );
}
