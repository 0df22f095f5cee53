declare const wx: any
