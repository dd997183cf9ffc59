Console.WriteLine("TusUpload worker: not wired yet.");
