import type { StallActivities } from './stalls.ts';

export const stallActivities: StallActivities = {
  async echo(text) {
    return `${text}-echoed`;
  },
  async readSsn(applicant) {
    return (applicant as { ssn: string }).ssn;
  },
};
