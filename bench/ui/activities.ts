/** The UI benchmark's one activity: trivial, the history's length is what matters. */
export const uiBenchActivities = {
  async touch(index: number): Promise<number> {
    return index;
  },
};
