// PLACEHOLDER until the async-path work lands (issue 3). Never shipped as done.
export const handler = async (): Promise<never> => {
  throw new Error('not implemented yet');
};
