export { View } from "./View";
export { ViewFactory, TemplateMistake, templatePath, type ViewComposer, type ViewOptions } from "./ViewFactory";
