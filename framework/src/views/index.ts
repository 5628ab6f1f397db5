export { View } from "./View";
export { ViewFactory, TemplateMistake, templatePath, type ViewComposer, type ViewOptions } from "./ViewFactory";
export { scanTemplate, explainMistake } from "./templateMistakes";
