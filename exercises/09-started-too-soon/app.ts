/** The app: asks the model server for one prediction and prints it. It does not retry. */
const url = 'http://model:3000/predict';
try {
  const response = await fetch(url);
  const { prediction } = (await response.json()) as { prediction: string };
  console.log(`the model predicts: ${prediction}`);
} catch (error) {
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
  console.error(`error: the model server at ${url} does not answer (${cause})`);
  process.exit(1);
}
